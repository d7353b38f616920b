process EVALUATE {
    tag "$meta.id"
    label 'process_single'

    input:
    // bounds: the imputation's lower and upper bounds (IMPUTE --interval), or [] for none
    tuple val(meta), path(imputed), path(bounds), path(cohort), path(split)

    output:
    tuple val(meta), path("*.metrics.json")     , emit: metrics
    tuple val(meta), path("*.metrics.genes.tsv"), emit: genes
    path "versions.yml"                         , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def intervals_arg = bounds ? '--intervals' : ''
    """
    tdimpute evaluate \\
        --cohort ${cohort} \\
        --split ${split} \\
        --imputed ${imputed} \\
        ${intervals_arg} \\
        --method ${meta.method} \\
        --out ${prefix}.metrics.json \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo '{}' > ${prefix}.metrics.json
    touch ${prefix}.metrics.genes.tsv
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
