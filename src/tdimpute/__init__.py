"""TDimpute: impute missing gene expression from DNA methylation by transfer learning."""

# The one place of the version: pyproject reads it, nextflow.config's manifest repeats it
# (a test ties the two).
__version__ = "0.1.0"
