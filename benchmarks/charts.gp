# The report's charts, drawn by scripts/bench-report.sh from one run's data files:
#
#   gnuplot -e "chart='NAME'; data='FILE'; out='NAME.svg'; stamp='commit ...'; ..." benchmarks/charts.gp
#
# - refresh_under_load: refresh_series.tsv (benches/refresh_under_load.rs: slot middle in s, then
#   ours' and the Go-style provider's p99 and maximum in ns); also threads, slot_ms,
#   point (the refresh point, s), ours_new and go_new (when each new token arrived, s, or
#   NaN);
# - warm_hit_threads: threads.tsv (threads, then million calls/s of ours, Mutex<Option>, Go-style
#   and the pool); also cores;
# - fleet: fleet.tsv (fleet-report: a header line, then replicas, token requests with and
#   without the shared store, refresh periods).
set terminal svg size 960,560 dynamic noenhanced font 'sans-serif,14' background '#ffffff'
set output out
set key below left horizontal maxcols 2 Left reverse width -6
set grid lc rgb '#eeeeee'
set label 99 stamp at screen 0.99, screen 0.03 right font ',12' textcolor rgb '#5a5a5a'
ours = '#1f77b4'; go = '#d66011'; mutex = '#787878'; pool = '#2ca02c'; mark = '#282828'
vline(n, x, color, dash) = sprintf('set arrow %d from %g, graph 0 to %g, graph 1 nohead lw %d dt %d lc rgb "%s" front', n, x, x, dash == 1 ? 1 : 2, dash, color)

if (chart eq 'refresh_under_load') {
  set title sprintf('Latency through a refresh under load (%d threads, %d ms slots)', threads, slot_ms) font ',18'
  set xlabel 'time since the first token arrived (s)'
  set ylabel 'call latency (log scale)'
  set logscale y
  set ytics ('1 ns' 1, '10 ns' 10, '100 ns' 100, '1 µs' 1e3, '10 µs' 1e4, '100 µs' 1e5, \
    '1 ms' 1e6, '10 ms' 1e7, '100 ms' 1e8, '1 s' 1e9, '10 s' 1e10)
  stats data using 1 nooutput
  x_max = STATS_max + slot_ms / 1e3
  set xrange [0:x_max]
  eval vline(1, point, mark, 1)
  set label 1 'refresh point ' at point, graph 0.95 right textcolor rgb mark
  # A new token that arrived after the window is in the legend only.
  if (ours_new <= x_max) { eval vline(2, ours_new, ours, 2) }
  if (go_new <= x_max) { eval vline(3, go_new, go, 2) }
  arrived(side, t) = t == t ? sprintf('%s: new token arrived at %.3f s', side, t) : side.': no new token in the run'
  plot data using 1:3 with lines lw 1 lc rgb '#b4d1e6' title 'ours: max per slot', \
    data using 1:5 with lines lw 1 lc rgb '#f1caaf' title 'Go-style: max per slot', \
    data using 1:2 with lines lw 2 lc rgb ours title 'ours: p99 per slot', \
    data using 1:4 with lines lw 2 lc rgb go title 'Go-style (mutex held across the fetch): p99 per slot', \
    NaN with lines lw 2 dt 2 lc rgb ours title arrived('ours', ours_new), \
    NaN with lines lw 2 dt 2 lc rgb go title arrived('Go-style', go_new), \
    NaN with lines lw 1 lc rgb mark title sprintf('refresh point (%.1f s after the first token)', point)
}

if (chart eq 'warm_hit_threads') {
  set title 'Warm-hit throughput vs threads (token() on a warm cache)' font ',18'
  set xlabel 'threads calling token() (log scale)'
  set ylabel 'million calls/s, all threads together'
  set logscale x
  set xrange [0.85:9.4]
  set xtics (1, 2, 4, 8)
  set yrange [0:*]
  eval vline(1, cores, mark, 2)
  plot data using 1:2 with linespoints pt 7 lw 3 lc rgb ours title 'ours (learn-oauth-ureq TokenProvider)', \
    data using 1:3 with linespoints pt 7 lw 2 lc rgb mutex title 'Mutex<Option<AccessToken>>', \
    data using 1:4 with linespoints pt 7 lw 2 lc rgb go title 'Go-style (one mutex, held across fetches)', \
    data using 1:5 with linespoints pt 7 lw 2 lc rgb pool title 'TokenPool, 10,000 keys hit in scattered order', \
    NaN with lines lw 1 dt 2 lc rgb mark title sprintf("the machine's cores (%d): past it, threads share cores", cores)
}

if (chart eq 'fleet') {
  set title 'A fleet of replicas: token requests per refresh period' font ',18'
  set xlabel 'replica processes (log scale)'
  set ylabel 'token requests per refresh period'
  set logscale x
  stats data skip 1 using 1 nooutput
  set xrange [0.8:STATS_max * 1.25]
  set offsets 0, 0, graph 0.1, 0
  set yrange [0:*]
  per(requests) = column(4) > 0 ? requests / column(4) : NaN
  # Each point's value beside it, past the first (one replica: 1.00 on both lines).
  shown(requests) = column(1) > 1 ? sprintf('%.2f', per(requests)) : ''
  plot data skip 1 using 1:(per($2)):xtic(1) with linespoints pt 7 lw 3 lc rgb ours \
      title 'with the shared store (Redis: lease, publish, adopt)', \
    data skip 1 using 1:(per($3)) with linespoints pt 7 lw 2 lc rgb go \
      title 'without it: every replica fetches its own', \
    data skip 1 using 1:(1) with lines lw 1 dt 2 lc rgb mark title 'one request per period: what one replica alone makes', \
    data skip 1 using 1:(per($2)):(shown($2)) with labels offset 2.5,1 textcolor rgb ours notitle, \
    data skip 1 using 1:(per($3)):(shown($3)) with labels offset -2.5,1 textcolor rgb go notitle
}
