process PREPROCESS {
    tag "$meta.id"
    label 'process_medium'

    input:
    tuple val(meta), path(methylation), path(expression), path(clinical)

    output:
    tuple val(meta), path("*.h5"), emit: cohort
    path "versions.yml"          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args     = task.ext.args ?: ''
    def prefix   = task.ext.prefix ?: "${meta.id}"
    def clinical_arg = clinical ? "--clinical ${clinical}" : ''
    """
    tdimpute preprocess \\
        --methylation ${methylation} \\
        --expression ${expression} \\
        ${clinical_arg} \\
        --out ${prefix}.h5 \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.h5
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
