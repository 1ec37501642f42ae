# effective_tokens.gp: effective tokens D' vs epochs, against the unique-data diagonal.
# Scenario "70b-500b-unique-2t"; data: trajectory.csv (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot effective_tokens.gp                    ->  effective_tokens.svg
#   gnuplot -e "fmt='png'" effective_tokens.gp     ->  effective_tokens.png

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
set output "effective_tokens." . fmt

U = 500000000000.0          # unique tokens
R = 200.0          # R_D* x objective multiplier: decay of repeated data (epochs)
last_epochs = 4.0
last_fraction = 0.994403019846867     # D'/D at the end of the run

set datafile separator comma
set datafile columnheaders

set logscale xy
set xrange [*:*] noextend
set format x "%g"
set format y "10^{%L}"
set border 3 lc "#444444"
set tics nomirror out
set grid xtics ytics lc "#e3e3e3" lw 1 dt 1
set xlabel "epochs (training tokens D / unique tokens U)"
set ylabel "tokens"
set title "70b-500b-unique-2t: what repeated tokens are worth" noenhanced
set key bottom right opaque box lc "#bbbbbb" samplen 2

# Every token counts in full during the first epoch; after it, the k-th
# repetition is worth exp(-(k-1)/R) of a fresh token (Muennighoff et al. 2023),
# so D' levels off at U (1 + R).
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc "#999999"
set label 1 " 1 epoch" at 1, graph 0.96 left tc "#777777"
set label 2 sprintf("D'/D = %.3g  ", last_fraction) at last_epochs, U * last_epochs * last_fraction \
    right offset -1, -1.5 tc "#c0392b"

plot "trajectory.csv" using "epochs":"tokens" with lines lw 2 dt 2 lc "#2471a3" \
       title "all-fresh data: D' = D", \
     U * (1 + R) with lines lw 1.5 dt 3 lc "#7f8c8d" title "ceiling U (1 + R_D^*)", \
     "" using "epochs":"effective_tokens" with lines lw 2.5 lc "#c0392b" \
       title "effective tokens D' of the repeated data"
