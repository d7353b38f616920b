process SUMMARIZE {
    label 'process_single'

    input:
    path metrics, stageAs: 'metrics/*'

    output:
    path "benchmark_runs.tsv"   , emit: runs
    path "benchmark_summary.tsv", emit: summary
    path "versions.yml"         , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    tdimpute summarize metrics/* --runs benchmark_runs.tsv --out benchmark_summary.tsv $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    """
    touch benchmark_runs.tsv benchmark_summary.tsv
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
