"""Neural-network modules built on the autograd engine (the Fall 2020 homework)."""
