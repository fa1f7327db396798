"""Figures: one style module, the book's plots and galleries."""
