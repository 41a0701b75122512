"""Never in the learners' starter, never readable by the child: the mistake catalogue and the answer key."""
