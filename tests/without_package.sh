#!/usr/bin/env bash
# Run a command with a Python that has tdimpute's dependencies but not tdimpute itself:
#   bash tests/without_package.sh nf-test test --tag without_package
# A fresh virtual environment sees the current one's site-packages through a .pth line (whose
# own .pth files, the editable install of tdimpute among them, are then not processed), and
# the current environment's bin/ leaves the PATH. MultiQC keeps its command.
set -euo pipefail
unset PYTHONPATH  # the package must come from nowhere but the pipeline's bin/
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
bare="$PWD/.bare-venv"
python3 -m venv --without-pip "$bare"
echo "$site" > "$("$bare/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/dependencies.pth"
if "$bare/bin/python3" -c 'import tdimpute' 2>/dev/null; then
    echo "tdimpute is importable without the pipeline's bin/: the check would prove nothing" >&2
    exit 1
fi
"$bare/bin/python3" -c 'import numpy, pandas, h5py, sklearn, lifelines, typer, multiqc'
printf '#!/usr/bin/env bash\nexec "%s" -m multiqc "$@"\n' "$bare/bin/python3" > "$bare/bin/multiqc"
chmod +x "$bare/bin/multiqc"
venv_bin=$(dirname "$(command -v python3)")
PATH="$bare/bin:$(tr ':' '\n' <<<"$PATH" | grep -vxF "$venv_bin" | paste -sd:)"
export PATH TDIMPUTE_WITHOUT_PACKAGE=1
! command -v tdimpute >/dev/null || { echo "a tdimpute is still on the PATH: $(command -v tdimpute)" >&2; exit 1; }
exec "$@"
