"""Field type handlers, one module per family; registry.py gathers them into the closed set."""
