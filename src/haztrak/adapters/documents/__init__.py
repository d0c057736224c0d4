"""Documents made from manifests (the printed form)."""
