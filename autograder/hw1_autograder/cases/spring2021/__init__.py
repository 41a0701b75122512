"""The Spring 2021 (layer-wise) homework's cases and inputs."""
