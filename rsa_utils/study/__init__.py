"""The book's machinery: profiles and study setup, the sections' computations, report, runner."""
