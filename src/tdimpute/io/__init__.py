"""Readers and writers for the files users bring and the files the pipeline hands on."""

from .matrices import normalise_sample_id, read_expression, read_matrix, read_matrix_chunks, write_expression

__all__ = ["normalise_sample_id", "read_expression", "read_matrix", "read_matrix_chunks", "write_expression"]
