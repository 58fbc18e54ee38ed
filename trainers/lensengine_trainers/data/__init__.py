"""Training data: aligned face crops, teacher-made A|B pairs and the samples the shared loop draws.

frame_sources.py, still_faces.py, face_crops.py   photos / video / camera -> aligned crops + landmarks
face_folder.py, image_size.py                      a folder of crops, read back and checked
teacher.py, pair_folder.py                         A|B pairs from a teacher face lens, on disk
augment.py, landmark_mirror.py                     aligned augmentation; landmarks under a mirror flip
training_data.py, batches.py                       the sample sources and batches of the shared loop
extract_cli.py                                     the ``extract-faces`` and ``capture`` commands
pairs_cli.py                                       the ``make-pairs`` command
"""
