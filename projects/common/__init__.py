"""What the programs of ``projects/`` share."""
