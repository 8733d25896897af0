"""Reports the node writes: submission results (RegistryInterface) and comparability checks."""
