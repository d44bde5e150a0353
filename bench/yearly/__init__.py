"""The cost of a second year of guidelines: build and serve rebuild (`make bench-yearly`)."""
