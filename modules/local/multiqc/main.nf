process MULTIQC {
    label 'process_single'

    input:
    path report_files, stageAs: 'report_data/*'
    path config

    output:
    path "*.html"       , emit: report
    path "*_report_data", emit: data
    path "versions.yml" , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: 'tdimpute_report'
    """
    multiqc --force --config ${config} --filename ${prefix}.html $args report_data
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        multiqc: \$(multiqc --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: 'tdimpute_report'
    """
    mkdir ${prefix}_data && touch ${prefix}.html
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        multiqc: \$(multiqc --version | sed 's/.* //')
    END_VERSIONS
    """
}
