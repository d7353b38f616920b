process PREPROCESS_POOL {
    tag "$meta.id"
    label 'process_medium'

    input:
    // A samplesheet (or a DOWNLOAD folder holding one); the files it names, in its order, or []
    // when they sit beside it; a reference cohort or [].
    tuple val(meta), path(samplesheet), path(files, stageAs: 'inputs/?/*'), path(reference, stageAs: 'reference/*')

    output:
    tuple val(meta), path("*.h5"), emit: cohort
    path "versions.yml"          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args          = task.ext.args ?: ''
    def prefix        = task.ext.prefix ?: "${meta.id}"
    // Each file in a numbered folder of its own: Xena names every cohort's files alike.
    def staged_arg    = files ? '--staged inputs' : ''
    def reference_arg = reference ? "--reference ${reference}" : ''
    """
    tdimpute preprocess \\
        --samplesheet ${samplesheet} \\
        ${staged_arg} \\
        ${reference_arg} \\
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
