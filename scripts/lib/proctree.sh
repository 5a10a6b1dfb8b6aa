# Process-tree measurements shared by the footprint benchmarks; sourced.

# Prints the pid and every descendant of $1.
tree() {
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    local kids
    kids=$(ps -o pid= --ppid "${pids[$i]}" 2>/dev/null || true)
    for k in $kids; do pids+=("$k"); done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}

# Sums field $1 (kB) of smaps_rollup over the tree of $2.
sum_kb() {
  local field="$1" total=0 v
  for p in $(tree "$2"); do
    v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
