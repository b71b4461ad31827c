# Hostile: tries to reach the network.
import socket


def connect(host, port):
    with socket.create_connection((host, port), timeout=1.0) as sock:
        return "connected"


def resolve(name):
    return socket.gethostbyname(name)


def listen(port):
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen()
    return "listening"


def dot(u, v):
    return float(sum(a * b for a, b in zip(u, v)))
