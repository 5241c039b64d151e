"""Typed records by direction: <Thing>Create / <Thing>Update come in, <Thing> goes out."""
