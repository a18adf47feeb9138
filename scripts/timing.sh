# Sourced by the timing scripts: run LABEL COMMAND... prints the command's wall time.
run() {
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  printf "%-16s %8.2f s\n" "$label" "$(echo "$end - $start" | bc)"
}
