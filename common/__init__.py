"""The shared vocabulary: records, errors and settings every package speaks. Imports nothing else of the project."""
