"""Shipped nowhere: the reference and expected-graph generators, the mutation check, the tolerance rule."""
