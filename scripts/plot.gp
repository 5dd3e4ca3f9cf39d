# plot.gp - renders any tune-pool results CSV by hand: throughput against m, the band, the pick, the rules, p99.
#
#   gnuplot -e "csv='results/io.csv'" scripts/plot.gp             -> results/io.png
#   gnuplot -e "csv='results/io.csv'; out='io.svg'" scripts/plot.gp
#   gnuplot -e "csv='a.csv'; title='io, 2 ms wait, laptop'" scripts/plot.gp
#
# Variables: csv (required), out (default: csv with .png; .svg renders SVG),
# title (default: the file name). Columns are found by their header names
# (README: Results), so later columns added to the CSV do not matter.
# `tune-pool --plot` draws the same picture from the JSON with the workload in
# its title; this script is for a CSV alone, e.g. one edited or merged by hand.

if (!exists("csv")) { print "usage: gnuplot -e \"csv='results/NAME.csv'\" scripts/plot.gp"; exit status 2 }
if (!exists("out")) { out = (csv[strlen(csv)-3:] eq ".csv" ? csv[1:strlen(csv)-4] : csv) . ".png" }
if (!exists("title")) { title = csv }

set datafile separator comma
set datafile columnheaders
ok(x) = strcol("status") eq "ok" ? x : NaN

# The cores: threads / m of any row; the band and the pick from their flags.
stats csv using (column("threads") / column("multiplier")) nooutput
cores = int(STATS_median + 0.5)
stats csv using (column("in_band") == 1 ? column("multiplier") : NaN) nooutput
band_lo = STATS_min; band_hi = STATS_max
stats csv using (column("pick") == 1 ? column("multiplier") : NaN) nooutput
pick_m = STATS_min
stats csv using (column("pick") == 1 ? column("threads") : NaN) nooutput
pick_t = int(STATS_min)
stats csv using (ok(column("lat_p99_ns"))) nooutput
p99_div = STATS_max >= 1e9 ? 1e9 : STATS_max >= 1e6 ? 1e6 : STATS_max >= 1e3 ? 1e3 : 1
p99_unit = p99_div == 1e9 ? "s" : p99_div == 1e6 ? "ms" : p99_div == 1e3 ? "us" : "ns"

if (out[strlen(out)-3:] eq ".svg") {
    set terminal svg size 1280,720 dynamic noenhanced font "sans,12" background rgb "white"
} else {
    set terminal pngcairo size 1280,720 noenhanced font "sans,11" background rgb "white"
}
set output out

set title sprintf("tune-pool: %s on %d cores\npick: m = %g (%d threads); band: m = %g .. %g", title, cores, pick_m, pick_t, band_lo, band_hi)
set logscale x 2
set xlabel sprintf("pool size multiplier m (threads = m x %d cores; log scale)", cores)
set ylabel "throughput (tasks/s): median and interval"
set y2label sprintf("p99 task latency (%s)", p99_unit)
set xtics nomirror
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set format y "%.0f"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse box samplen 2.5 spacing 1.3
set offsets graph 0.05, graph 0.05, graph 0.08, 0
set object 1 rectangle from first band_lo/1.06, graph 0 to first band_hi*1.06, graph 1 behind \
    fillcolor rgb "#2ca02c" fillstyle transparent solid 0.15 noborder
set arrow 1 from first pick_m, graph 0 to first pick_m, graph 1 nohead dashtype 2 lw 1.5 lc rgb "#d62728"

rule(key, x) = strstrt(strcol("rule"), key) > 0 ? ok(x) : NaN
plot \
  keyentry with boxes fillcolor rgb "#2ca02c" fillstyle transparent solid 0.15 noborder title "band: indistinguishable from best", \
  csv using "multiplier":(ok(column("tput_median"))):"tput_ci_lo":"tput_ci_hi" with yerrorlines lw 2 pt 7 ps 1.1 lc rgb "#1f77b4" title "throughput: median, interval", \
  csv using "multiplier":(ok(column("lat_p99_ns") / p99_div)) axes x1y2 with linespoints dashtype 2 lw 1.5 pt 6 lc rgb "#9467bd" title "p99 latency (right axis)", \
  csv using "multiplier":(rule("tpe37", column("tput_median"))) with points pt 9 ps 2.6 lc rgb "#ff7f0e" title "m = 5 (TPE <= 3.7)", \
  csv using "multiplier":(rule("tpe38", column("tput_median"))) with points pt 13 ps 2.6 lc rgb "#17becf" title "min(32, cores+4) (TPE >= 3.8)", \
  csv using "multiplier":(rule("cpu", column("tput_median"))) with points pt 5 ps 2.6 lc rgb "#8c564b" title "m = 1 (CPU rule)", \
  csv using "multiplier":(column("pick") == 1 ? column("tput_median") : NaN) with points pt 3 ps 3.5 lw 2.5 lc rgb "#d62728" title "pick", \
  csv using "multiplier":(strcol("status") ne "ok" && strcol("status") ne "skipped" ? 0 : NaN) with points pt 2 ps 2 lw 2 lc rgb "#000000" title "failed point"
unset output
