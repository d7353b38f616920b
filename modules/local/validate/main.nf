process VALIDATE {
    tag "$meta.id"
    label 'process_single'

    input:
    tuple val(meta), path(cohort)

    output:
    tuple val(meta), path("*.summary.json"), emit: summary
    path "versions.yml"                    , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    tdimpute validate ${cohort} --json --threads ${task.cpus} > ${prefix}.summary.json
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo '{}' > ${prefix}.summary.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
