/*
 * Checks the run's parameters against nextflow_schema.json without the nf-schema plugin
 * (which cannot be downloaded offline): types, enums, ranges and patterns of every parameter,
 * then the rules that tie parameters together. One line per problem.
 */
import groovy.json.JsonSlurper
import java.util.regex.Pattern
Map<String, Map> schemaProperties(String schemaPath) {
    def schema = new JsonSlurper().parse(new File(schemaPath))
    Map<String, Map> found = [:]
    schema['$defs'].each { name, group -> found.putAll(group.properties as Map) }
    return found
}

List<String> paramsProblems(Map params, String schemaPath) {
    def known = schemaProperties(schemaPath)
    List<String> problems = []
    params.each { String key, value ->
        if (!known.containsKey(key)) {
            // Nextflow adds camelCase twins of snake_case names; only report real unknowns.
            if (!known.containsKey(snakeCase(key))) problems << "--${key}: unknown parameter".toString()
            return
        }
        def problem = checkParam(value, known[key])
        if (problem) problems << "--${key}: ${problem}".toString()
    }
    problems.addAll(crossChecks(params))
    return problems
}

String snakeCase(String key) {
    return key.replaceAll(/([A-Z])/, '_$1').toLowerCase().replace('-', '_')
}

/** Why `value` breaks the parameter's rule, or null; unset (null) values pass. */
String checkParam(value, Map rule) {
    if (value == null) return null
    switch (rule.type) {
        case 'boolean':
            if (!(value instanceof Boolean)) return "expected true or false, got '${value}'"
            return null
        case 'integer':
            if (value instanceof Boolean || !(value.toString() ==~ /-?\d+/)) return "expected an integer, got '${value}'"
            break
        case 'number':
            if (value instanceof Boolean || !(value.toString() ==~ /-?(\d+\.?\d*|\.\d+)([eE]-?\d+)?/)) return "expected a number, got '${value}'"
            break
        case 'string':
            if (value instanceof Boolean) return 'expected a value'
            break
    }
    def text = value.toString()
    if (rule.enum && !(text in rule.enum)) return "expected one of ${rule.enum.join(', ')}, got '${text}'"
    if (rule.pattern && !Pattern.compile(rule.pattern as String).matcher(text).find()) {
        return "'${text}' is not valid (${rule.description})"
    }
    if (rule.type in ['integer', 'number']) {
        def number = new BigDecimal(text)
        if (rule.minimum != null && number < (rule.minimum as BigDecimal)) return "must be >= ${rule.minimum}, got ${text}"
        if (rule.maximum != null && number > (rule.maximum as BigDecimal)) return "must be <= ${rule.maximum}, got ${text}"
        if (rule.exclusiveMinimum != null && number <= (rule.exclusiveMinimum as BigDecimal)) return "must be > ${rule.exclusiveMinimum}, got ${text}"
    }
    return null
}

List<String> crossChecks(Map params) {
    List<String> problems = []
    def sources = [params.cohort, params.input, params.tcga_cohorts, params.tcga_pancan ? true : null,
                   params.methylation, params.simulate ? true : null].findAll { it }
    if (sources.size() != 1) {
        problems << 'give exactly one input: --cohort, --input (a samplesheet), --tcga_cohorts, --tcga_pancan, --methylation with --expression, or --simulate'
    }
    if (params.methylation && !params.expression) problems << '--expression: needed with --methylation'
    if (params.external_input && params.mode != 'impute') problems << '--external_input: only in --mode impute'
    if ((params.input || params.tcga_cohorts || params.tcga_pancan) && params.cancer_type) {
        problems << "--cancer_type: not used with --input, --tcga_cohorts or --tcga_pancan (the cohorts name the cancer types)"
    }
    if (!params.target_cancers) problems << '--target_cancers: needed (comma-separated cancer types)'
    return problems
}

String paramsHelp(String schemaPath) {
    def lines = ['Usage: nextflow run . -profile <test|docker|singularity|...> [--param value ...]', '']
    schemaProperties(schemaPath).each { name, rule ->
        def fallback = rule.default != null ? " [default: ${rule.default}]" : ''
        lines << "  --${name.padRight(22)} ${rule.description}${fallback}".toString()
    }
    return lines.join('\n')
}
