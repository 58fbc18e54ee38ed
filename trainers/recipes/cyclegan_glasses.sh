#!/usr/bin/env bash
# Reproduce the shipped composited CycleGAN glasses packs (thug_glasses_cyclegan, glasses_removal_cyclegan) on a
# CPU, from offline images only.
#
#   bash trainers/recipes/cyclegan_glasses.sh                 # every stage: data colour train export
#   bash trainers/recipes/cyclegan_glasses.sh train export    # chosen stages, in this order
#
# FACES (default data/thug_glasses/faces) is the face folder of trainers/recipes/thug_glasses.sh (its `data`
# stage: Solvay 1927, Obama, Biden, the astronaut); HOLDOUT (default data/thug_glasses/holdout_faces) its `holdout`
# stage (Grace Hopper). WORK (default data/cyclegan_glasses) holds the unpaired sets, the colour packs the run
# starts from and the run folder. Needs: pip install -e . -e trainers -e plugins/thug_glasses (make test does).
set -euo pipefail

WORK=${WORK:-data/cyclegan_glasses}
FACES=${FACES:-data/thug_glasses/faces}
HOLDOUT=${HOLDOUT:-data/thug_glasses/holdout_faces}
PACKS=${PACKS:-plugins/cyclegan_lenses/lensengine_cyclegan_lenses/packs}
TRAIN=${TRAIN:-lensengine-train}
COLOUR_COMMIT=${COLOUR_COMMIT:-02d6e1a}  # the colour-only packs of session 16, still shipped at this commit
STEPS=${STEPS:-1500}  # the checkpoint shipped (the run goes on to 3000; 1500 drew the best-shaped glasses)

data() {
    # 800 faces (set A) and 800 faces wearing the teacher's glasses (set B), drawn from different augmentations.
    rm -rf "$WORK/data"
    "$TRAIN" cyclegan-data --faces "$FACES" --teacher thug_glasses_classic --out "$WORK/data" --variants 1600 \
        --size 128 --seed 0 --rotate 12 --brightness 0.25 --contrast 0.25 --saturation 0.3 --hue 0.04 --no-progress
}

colour() {
    # The colour-only packs (one training photo, session 16) the generators start from: they already draw and
    # remove the glasses, but redraw the whole face. From git history, as they were at $COLOUR_COMMIT.
    rm -rf "$WORK/colour"
    mkdir -p "$WORK/colour"
    git archive "$COLOUR_COMMIT" "$PACKS" | tar -x -C "$WORK/colour"
}

train() {
    # Alpha heads (composited over the input), masks starting half open; the cycle, identity and sparsity weights
    # rise from 0 over the first 1200 steps so the GAN loss opens the masks where the glasses go first (from a
    # near-closed start, or at full weight at once, the masks shut: docs/cyclegan_and_style.md).
    nice -n 5 "$TRAIN" cyclegan --data "$WORK/data" --out "$WORK/run" \
        --warm-start "$WORK/colour/$PACKS/thug_glasses_cyclegan" "$WORK/colour/$PACKS/glasses_removal_cyclegan" \
        --alpha --alpha-start 0.5 --warmup-steps 1200 --lambda-cycle 5 --lambda-identity 0.5 \
        --lambda-alpha-l1 0.05 --lambda-alpha-tv 0.02 --size 128 --ngf 16 --n-blocks 4 --ndf 32 \
        --identity-features pixel --steps 3000 --decay-steps 1000 --batch-size 1 --seed 0 --device cpu --threads 2 \
        --rotate 8 --checkpoint-every 300 --keep 12 --no-progress
}

export_packs() {
    "$TRAIN" cyclegan-export --checkpoint "$WORK/run/checkpoints/step_$(printf '%08d' "$STEPS")" \
        --out-ab "$PACKS/thug_glasses_cyclegan" --name-ab thug_glasses_cyclegan \
        --out-ba "$PACKS/glasses_removal_cyclegan" --name-ba glasses_removal_cyclegan \
        --eval-faces "$HOLDOUT" --eval-teacher thug_glasses_classic \
        --compare-ab plugins/thug_glasses/lensengine_thug_glasses/packs/thug_glasses \
        --report benchmarks/results/cyclegan_glasses.json
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data colour train export)
for stage in "${stages[@]}"; do
    case "$stage" in
        data) data ;;
        colour) colour ;;
        train) train ;;
        export) export_packs ;;
        *) echo "unknown stage '$stage': use data, colour, train or export" >&2; exit 2 ;;
    esac
done
