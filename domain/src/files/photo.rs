//! What an upload becomes before it is kept. A photo is decoded and encoded again as a JPEG:
//! whatever the camera wrote beside the pixels (EXIF with the GPS position and the phone's
//! serial, XMP, comments) is left behind, the orientation is applied to the pixels, the
//! longest side is limited, and a thumbnail is made. The original bytes are never kept.
//! A PDF (cases only) is kept as sent. The type is decided by the content, never by the
//! file's name.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::{Error, Result};

/// The longest side of a kept photo: enough to read a document or see a scratch.
pub const LONGEST_SIDE: u32 = 1600;
/// The longest side of a thumbnail in a list.
pub const THUMB_SIDE: u32 = 320;
/// No phone camera needs more; a "decompression bomb" (a small file that claims
/// 20 000 × 20 000 pixels) is refused from its header, before a pixel is decoded.
pub const MAX_PIXELS: u64 = 50_000_000;
/// What decoding one photo may allocate at most.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 82;

/// A file made ready to keep.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: Kind,
    pub body: Vec<u8>,
    /// Photos only.
    pub thumb: Option<Thumb>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct Thumb {
    pub body: Vec<u8>,
    pub width: i32,
    pub height: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Photo,
    Pdf,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Photo => "image/jpeg",
            Kind::Pdf => "application/pdf",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "photo" => Some(Kind::Photo),
            "pdf" => Some(Kind::Pdf),
            _ => None,
        }
    }
}

/// Makes `bytes` ready to keep, or says why not. CPU-bound: call it off the async threads.
pub fn prepare(bytes: &[u8], pdf_allowed: bool) -> Result<Prepared> {
    if bytes.is_empty() {
        return Err(Error::Invalid("file-empty"));
    }
    if bytes.starts_with(b"%PDF-") {
        return if pdf_allowed {
            Ok(Prepared {
                kind: Kind::Pdf,
                body: bytes.to_vec(),
                thumb: None,
                width: None,
                height: None,
            })
        } else {
            Err(Error::Invalid("file-pdf-cases-only"))
        };
    }
    if is_heif(bytes) {
        return Err(Error::Invalid("file-heic"));
    }
    let photo = decode(bytes)?;
    let photo = if photo.width().max(photo.height()) > LONGEST_SIDE {
        photo.resize(
            LONGEST_SIDE,
            LONGEST_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        photo
    };
    // Only ever smaller: a small picture is its own thumbnail.
    let thumb = if photo.width().max(photo.height()) > THUMB_SIDE {
        photo.thumbnail(THUMB_SIDE, THUMB_SIDE)
    } else {
        photo.clone()
    };
    Ok(Prepared {
        kind: Kind::Photo,
        body: jpeg(&photo)?,
        thumb: Some(Thumb {
            body: jpeg(&thumb)?,
            width: side(thumb.width()),
            height: side(thumb.height()),
        }),
        width: Some(side(photo.width())),
        height: Some(side(photo.height())),
    })
}

/// HEIC and other HEIF photos (what iPhones take by default): no maintained decoder in
/// Rust yet, so the person is asked for a JPEG (the phone's "most compatible" setting).
fn is_heif(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| {
            [
                b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
            ]
            .iter()
            .any(|known| known.as_slice() == brand)
        })
}

fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Error::Invalid("file-not-a-photo"))?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(Error::Invalid("file-not-a-photo"));
    }
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| Error::Invalid("file-not-a-photo"))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::Invalid("file-too-many-pixels"));
    }
    // A photo whose orientation cannot be read is shown as stored rather than refused.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut photo = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => Error::Invalid("file-too-many-pixels"),
        _ => Error::Invalid("file-not-a-photo"),
    })?;
    photo.apply_orientation(orientation);
    Ok(photo)
}

/// JPEG without metadata: the encoder writes pixels and nothing the camera knew.
fn jpeg(photo: &DynamicImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let rgb = photo.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| Error::Internal("encoding a photo"))?;
    Ok(out)
}

fn side(pixels: u32) -> i32 {
    i32::try_from(pixels).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_rgb8(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("a PNG");
        out
    }

    #[test]
    fn a_photo_becomes_a_smaller_jpeg_with_a_thumbnail() {
        let prepared = prepare(&png(3200, 1200), false).expect("prepared");
        assert_eq!(prepared.kind, Kind::Photo);
        assert_eq!((prepared.width, prepared.height), (Some(1600), Some(600)));
        assert!(prepared.body.starts_with(&[0xFF, 0xD8]), "a JPEG");
        let thumb = prepared.thumb.expect("a thumbnail");
        assert_eq!((thumb.width, thumb.height), (320, 120));
    }

    #[test]
    fn what_the_camera_wrote_is_left_behind_and_the_turn_applied() {
        let sent = crate::testing::jpeg_with_exif(40, 20, b"GPS 29.96N 121.71E SERIAL-XJ9");
        let prepared = prepare(&sent, false).expect("prepared");
        assert_eq!((prepared.width, prepared.height), (Some(20), Some(40)));
        for kept in [&prepared.body, &prepared.thumb.expect("a thumbnail").body] {
            assert!(!kept.windows(4).any(|w| w == b"Exif"));
            assert!(!kept.windows(6).any(|w| w == b"SERIAL"));
        }
    }

    /// The CRC of a PNG chunk (type and data).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A PNG that claims 20 000 × 20 000 pixels: its header alone must be enough.
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&20_000u32.to_be_bytes());
        ihdr.extend_from_slice(&20_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        bomb.extend_from_slice(&13u32.to_be_bytes());
        bomb.extend_from_slice(&ihdr);
        bomb.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // The start of its pixels: a decoder reads the header up to here.
        let idat = b"IDAT\x78\x9c";
        bomb.extend_from_slice(&2u32.to_be_bytes());
        bomb.extend_from_slice(idat);
        bomb.extend_from_slice(&crc32(idat).to_be_bytes());
        assert!(matches!(
            prepare(&bomb, false),
            Err(Error::Invalid("file-too-many-pixels"))
        ));
    }

    #[test]
    fn the_type_comes_from_the_content() {
        assert!(matches!(
            prepare(b"#!/bin/sh\nrm -rf /\n", false),
            Err(Error::Invalid("file-not-a-photo"))
        ));
        assert!(matches!(
            prepare(b"%PDF-1.7\n", false),
            Err(Error::Invalid("file-pdf-cases-only"))
        ));
        assert_eq!(prepare(b"%PDF-1.7\n", true).expect("a PDF").kind, Kind::Pdf);
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        assert!(matches!(
            prepare(&heic, false),
            Err(Error::Invalid("file-heic"))
        ));
        assert!(matches!(
            prepare(b"", false),
            Err(Error::Invalid("file-empty"))
        ));
    }
}
