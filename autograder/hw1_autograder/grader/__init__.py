"""The trusted parent only: verification against references, diagnosis, localisation, hand-in unpacking."""
