# Shared by the deploy scripts (sourced, not run; bash). Every script cds to the repository root.

# die prints its arguments on stderr, prefixed by the script's name, and exits 1.
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# AWS CLI v2 pipes output through a pager on a terminal; these scripts never want one.
export AWS_PAGER=''

# problems collects what is wrong with the inputs, so that one run reports all of it.
problems=()

# want_tools records a problem naming every program among its arguments that is not on PATH.
want_tools() {
	local missing=() tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	((${#missing[@]} == 0)) ||
		problems+=("missing tool(s): ${missing[*]} (not on PATH; docs/deploy.md lists what to install)")
}

# want_vars records a problem naming every environment variable among its arguments that is
# unset or empty.
want_vars() {
	local missing=() var
	for var in "$@"; do
		[[ -n ${!var:-} ]] || missing+=("$var")
	done
	((${#missing[@]} == 0)) || problems+=("missing environment variable(s): ${missing[*]}")
}

# want_python_module records a problem unless python3 imports module $1 ($2: the package that
# provides it). python3 itself must have been found.
want_python_module() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -c "import $1" >/dev/null 2>&1 || problems+=("missing python module: $1 (pip install $2)")
}

# check_problems fails, printing every recorded problem, if there is any.
check_problems() {
	((${#problems[@]} == 0)) && return 0
	local p
	for p in "${problems[@]}"; do
		printf '%s: %s\n' "${0##*/}" "$p" >&2
	done
	exit 1
}

# need_tools, need_vars: want_* then check_problems.
need_tools() {
	want_tools "$@"
	check_problems
}
need_vars() {
	want_vars "$@"
	check_problems
}

# aws_cli runs the AWS CLI in AWS_REGION. AWS CLI v2 (and v1 from 1.29, botocore 1.31) read
# AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> themselves; older v1 releases do not, so the
# endpoint is also passed explicitly with --endpoint-url when one is set: AWS_ENDPOINT_URL_S3
# (else AWS_ENDPOINT_URL) for s3 and s3api, AWS_ENDPOINT_URL for the other services.
# `cloudformation package` talks only to S3, through a client that --endpoint-url does not
# reach: its uploads follow AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL from the environment.
# Usage: aws_cli SERVICE COMMAND [ARGS...]
aws_cli() {
	local endpoint=${AWS_ENDPOINT_URL:-}
	case $1 in
	s3 | s3api) endpoint=${AWS_ENDPOINT_URL_S3:-$endpoint} ;;
	esac
	if [[ -n $endpoint ]]; then
		aws --region "$AWS_REGION" --endpoint-url "$endpoint" "$@"
	else
		aws --region "$AWS_REGION" "$@"
	fi
}

# emulated reports whether an endpoint override is set (a local emulator such as moto, or a
# private endpoint), as opposed to AWS's public endpoints.
emulated() {
	[[ -n ${AWS_ENDPOINT_URL:-}${AWS_ENDPOINT_URL_S3:-} ]]
}

# parse_check_inputs reads a script's one optional argument, --check-inputs,
# into check_only (true: check the inputs and tools, then stop).
parse_check_inputs() {
	check_only=false
	case ${1:-} in
	'') ;;
	--check-inputs) check_only=true ;;
	*) die "unknown argument $1 (the only one is --check-inputs)" ;;
	esac
}
