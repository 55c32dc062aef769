/** The quantize layer's Node entry: quantizing a model file, calibrated on images from files. */
