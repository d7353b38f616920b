process SELECT {
    tag "$meta.id"
    label 'process_single'

    input:
    tuple val(meta), path(cohort)

    output:
    tuple val(meta), path("${prefix}.h5"), emit: cohort
    path "versions.yml"                  , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.cancer}"
    """
    tdimpute select \\
        --cohort ${cohort} \\
        --cancer ${meta.cancer} \\
        --out ${prefix}.h5 \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.cancer}"
    """
    touch ${prefix}.h5
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
