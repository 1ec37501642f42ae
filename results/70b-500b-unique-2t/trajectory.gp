# trajectory.gp: predicted loss vs training tokens, repeated vs fresh data.
# Scenario "70b-500b-unique-2t"; data: trajectory.csv (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot trajectory.gp                    ->  trajectory.svg
#   gnuplot -e "fmt='png'" trajectory.gp     ->  trajectory.png

# A clean slate when run after other scripts (reset keeps the datafile settings).
reset
set datafile separator whitespace
set datafile nocolumnheaders
unset datafile missing
if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") {
  # pngcairo draws antialiased text; plain png (libgd) is the fallback.
  if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
    set terminal pngcairo size 900,600 enhanced font "sans-serif,11" background "white"
  } else {
    set terminal png size 900,600 enhanced background "#ffffff"
  }
} else {
  set terminal svg size 900,600 dynamic enhanced font "sans-serif,13" background "white"
}
set output "trajectory." . fmt

U = 500000000000.0          # unique tokens of the scenario: 1 epoch = U tokens seen

set datafile separator comma
set datafile columnheaders      # columns by name: "tokens", "loss_repeated", ...

# The top axis counts epochs (tokens / U) over the same range as the bottom one.
stats "trajectory.csv" using "tokens" nooutput
set xrange [STATS_min:STATS_max]
set x2range [STATS_min / U:STATS_max / U]
set logscale x
set logscale x2
set format x "10^{%L}"
set x2tics nomirror out
set border 3 lc "#444444"
set tics nomirror out
set grid xtics ytics lc "#e3e3e3" lw 1 dt 1
set yrange [*:*]
set xlabel "training tokens seen D"
set x2label "epochs (D / U)"
set ylabel "predicted loss (nats/token)"
set title "70b-500b-unique-2t: loss with repeated vs all-fresh data" noenhanced
set key top right opaque box lc "#bbbbbb" samplen 2

# Repetition starts after one epoch.
set arrow 1 from U, graph 0 to U, graph 1 nohead dt 2 lc "#999999"
set label 1 " 1 epoch" at U, graph 0.04 left tc "#777777"

# The [[compare]] variants: one dashed line each (trajectory_variants.dat).
array variant_names[3] = ["variant: weight decay 1.0", "variant: no dropout, weight decay 0.1", "variant: dropout 0.1"]
plot "trajectory.csv" using "tokens":"loss_repeated":"loss_unique" \
       with filledcurves fc "#c0392b" fs transparent solid 0.18 noborder title "cost of repetition", \
     "" using "tokens":"loss_unique" with lines lw 2.5 lc "#2471a3" \
       title "the same run on all-fresh data", \
     "" using "tokens":"loss_repeated" with lines lw 2.5 lc "#c0392b" \
       title sprintf("repeated data (U = %.3g tokens)", U), \
     for [i=1:3] "trajectory_variants.dat" index (i-1) using "tokens":"loss_repeated" with lines lw 1.8 dt 2 lc i+2 title variant_names[i] noenhanced
