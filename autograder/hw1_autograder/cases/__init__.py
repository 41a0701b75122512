"""All the sandboxed child may import: the case registry, each homework's inputs and cases, recording. Holds no secret."""
