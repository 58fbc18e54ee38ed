#!/usr/bin/env bash
# Reproduce the shipped neural `thug_glasses` lens pack end to end, on a CPU, from offline images only.
#
#   bash trainers/recipes/thug_glasses.sh                 # every stage: data train export benchmark
#   bash trainers/recipes/thug_glasses.sh train export    # chosen stages, in this order
#
# WORK (default data/thug_glasses) holds the photos, face crops and run folder; DOWNLOADS (default
# $WORK/downloads) the fetched Debian package and PyPI sdist (never committed); PACK is the pack written.
# Needs: pip install -e . -e trainers -e plugins/thug_glasses (make test sets this up); apt-get (Debian/Ubuntu)
# for visp-images-data. Training: STEPS steps of batch 4 without a discriminator, about 13 steps/s on one CPU
# thread beside another job (20 minutes); a GPU takes minutes (--device auto).
set -euo pipefail

WORK=${WORK:-data/thug_glasses}
PACK=${PACK:-plugins/thug_glasses/lensengine_thug_glasses/packs/thug_glasses}
TRAIN=${TRAIN:-lensengine-train}
PYTHON=${PYTHON:-python}
DOWNLOADS=${DOWNLOADS:-$WORK/downloads}
STEPS=${STEPS:-16000}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}

data() {
    # Training faces (all public domain): the astronaut and warped variants of it, the 30 faces of the 1927 Solvay
    # conference photo (visp-images-data), Obama and Biden portraits (face_recognition 1.3.0 sdist). Grace Hopper
    # is held out for the quality benchmark.
    rm -rf "$WORK/photos" "$WORK/faces"
    "$PYTHON" trainers/recipes/thug_glasses_photos.py "$WORK/photos" --downloads "$DOWNLOADS"
    "$TRAIN" extract-faces --images "$WORK/photos" --size 128 --out "$WORK/faces" --no-progress
}

train() {
    # slim16's 128 px, 7-level U-Net at ngf 8 with an alpha head (colour + alpha, composited over the input) and
    # CoordConv input (--coords: it also sees each pixel's x and y, so it draws the glasses crisply where the
    # aligned crop's eyes are); the teacher draws each pair, and its alpha, on the fly at 128 px (crisp pixel art,
    # as quality.py compares against). L1 + L2 (the L2 keeps the one-pixel highlights L1 drops) + alpha BCE, light
    # sparsity/TV, no discriminator; the rate falls linearly to 0 over the second half (--decay-steps).
    # Small geometric jitter (zoom 1.03, roll 5 degrees): the aligner already puts the eyes at fixed points.
    # Add --resume "$WORK/run" (instead of the settings) to go on after an interruption.
    nice -n 5 "$TRAIN" pix2pix --faces "$WORK/faces" --on-the-fly-teacher thug_glasses_classic --teacher-size 128 \
        --preset slim16 --ngf 8 --ndf 16 --alpha --coords --lambda-gan 0 --lr 5e-4 --steps "$STEPS" \
        --decay-steps $((STEPS / 2)) --batch-size 4 --seed 0 --device cpu --threads 1 --zoom 1.03 --rotate 5 \
        --tint 0.2 --light 0.3 --brightness 0.3 --contrast 0.3 --saturation 0.3 --hue 0.05 --blur 1.5 --noise 6 \
        --jpeg 40 --lambda-l2 200 --lambda-alpha-l1 0.01 --lambda-alpha-tv 0.01 --checkpoint-every 1000 --keep 5 \
        --out "$WORK/run" --no-progress
}

export_pack() {
    local description='Pixel-art "Thug Life" sunglasses (pix2pix U-Net ngf 8 with alpha and CoordConv, 128 px; learnt from thug_glasses_classic)'
    rm -rf "$PACK"
    "$TRAIN" export --checkpoint "$WORK/run" --out "$PACK" --name thug_glasses --description "$description" \
        --eval-faces "$WORK/holdout_faces" --eval-teacher thug_glasses_classic
    "$PYTHON" trainers/recipes/thug_glasses_photos.py "$WORK/faces" --write-provenance "$PACK"
}

holdout() {
    # Held-out faces for export's quality figure: Grace Hopper's photo, never seen in training.
    rm -rf "$WORK/holdout_photos" "$WORK/holdout_faces"
    mkdir -p "$WORK/holdout_photos"
    "$PYTHON" -c "import cv2, sys; from lensengine.sources.face_photos import face_photo; \
cv2.imwrite(sys.argv[1], face_photo('grace_hopper'))" "$WORK/holdout_photos/grace_hopper.png"
    "$TRAIN" extract-faces --images "$WORK/holdout_photos" --size 128 --out "$WORK/holdout_faces" --no-progress
}

benchmark() {
    # Pack against teacher on held-out crops (Grace Hopper's photo and sample-clip frames), speed on 2 threads;
    # writes benchmarks/results/quality-thug_glasses.{md,json,png} and provenance.quality into the pack.
    "$PYTHON" benchmarks/quality.py --pack "$PACK" --teacher thug_glasses_classic --held-out grace_hopper \
        --write-provenance
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data train holdout export benchmark)
for stage in "${stages[@]}"; do
    case "$stage" in
        data) data ;;
        train) train ;;
        holdout) holdout ;;
        export) export_pack ;;
        benchmark) benchmark ;;
        *) echo "unknown stage '$stage': use data, train, holdout, export or benchmark" >&2; exit 2 ;;
    esac
done
