process SUMMARIZE {
    label 'process_single'

    input:
    path results, stageAs: 'runs/*/*'  // per-run JSON files; names may repeat across runs

    output:
    path "*_runs.tsv"   , emit: runs
    path "*_summary.tsv", emit: summary
    path "versions.yml" , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: 'benchmark'
    """
    tdimpute summarize runs/*/* --runs ${prefix}_runs.tsv --out ${prefix}_summary.tsv --threads ${task.cpus} $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: 'benchmark'
    """
    touch ${prefix}_runs.tsv ${prefix}_summary.tsv
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
