"""Networks: architectures, losses, the training loop, the zoo of trained networks, transfers."""
