// GraftData: image folders in, normalized batches out.
//
//   Decoding/       JPEG (TurboJPEG), PNG (libpng), WebP (libwebp), GIF (giflib), TIFF (libtiff)
//                   and BMP (our own reader) to 8-bit RGB, chosen by content; EXIF orientation,
//                   alpha composited in linear light, the decompression-bomb guard, errors that
//                   name the file
//   Encoding/       PNG and JPEG writers (demo dataset, synthetic benchmark photos, tests)
//   Dataset/        ImageFolder and LabelFileDataset (a CSV of files and labels), both
//                   DatasetSplits: discovery of classes and files, splits, verification, warnings;
//                   FolderWalker (each file once, loops and odd files named); ImageFileList
//   Preprocessing/  Preprocessing (a backbone's input description), antialiased Resampler
//   Augmentation/   Augmentation presets and transforms; ImageTransform renders one sample
//   Randomness/     seeded streams per (seed, epoch, sample), so batches are reproducible
//   Loading/        DataLoader: background threads, bounded prefetch, decoded-image cache
//   Demo/           FashionMNIST writer from Debian's dataset-fashion-mnist
//   Benchmark/      DataBenchmark: images per second of decode + augment + batch;
//                   DecodeBenchmark: decoding speed per format
