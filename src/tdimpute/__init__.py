"""TDimpute: impute missing gene expression from DNA methylation by transfer learning."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tdimpute")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
