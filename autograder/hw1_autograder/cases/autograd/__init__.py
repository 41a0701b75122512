"""The Fall 2020 (autograd) homework's cases, its bonus and their inputs."""
