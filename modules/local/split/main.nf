process SPLIT {
    tag "$meta.id"
    label 'process_single'

    input:
    tuple val(meta), path(cohort)

    output:
    tuple val(meta), path("*.split.json"), emit: split
    path "versions.yml"                  , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    tdimpute split \\
        --cohort ${cohort} \\
        --cancer ${meta.cancer} \\
        --missing-rate ${meta.missing_rate} \\
        --replicate ${meta.replicate} \\
        --out ${prefix}.split.json \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo '{}' > ${prefix}.split.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
