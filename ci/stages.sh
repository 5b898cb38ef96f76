# Sourced by the ci/ scripts that report how long each stage took:
#   stages_init PREFIX   start the clock; print the table at exit, with the total
#   stage_done NAME      record the time since the last stage (printed at once)
#   stages_print [CODE]  the table (for a script with its own EXIT trap)
# The table goes to stdout when the script ends, whatever its exit code.
stages_init() {
  _stages_prefix=$1
  _stages=()
  _stage_start=$SECONDS
  _stages_t0=$SECONDS
  trap stages_print EXIT
}

stage_done() {
  local took=$((SECONDS - _stage_start))
  _stages+=("$(printf '%-22s %5d s' "$1" "$took")")
  echo "$_stages_prefix: stage $1 took $took s"
  _stage_start=$SECONDS
}

stages_print() {
  local code=${1:-$?}
  echo "$_stages_prefix: stage times"
  local s
  for s in "${_stages[@]}"; do echo "$_stages_prefix:   $s"; done
  echo "$_stages_prefix: total $((SECONDS - _stages_t0)) s, exit $code"
}
