//! Where the bytes of files live: one interface (`object_store`) over a local directory,
//! the default for one server, and S3-compatible object storage (阿里云 OSS, 腾讯云 COS,
//! MinIO, Ceph) for several server processes on several machines. The database holds
//! which file belongs to what; the store holds only bytes under random keys.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::{Error, Result};

/// An S3-compatible bucket.
#[derive(Clone, Debug)]
pub struct S3 {
    /// `https://oss-cn-hangzhou.aliyuncs.com`, or a local server's `http://127.0.0.1:9000`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
}

#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    described: String,
}

impl Store {
    /// Files under `dir`, created when missing.
    pub fn local(dir: &std::path::Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|_| Error::Internal("creating the files directory"))?;
        let inner = LocalFileSystem::new_with_prefix(dir)
            .map_err(|_| Error::Internal("opening the files directory"))?;
        Ok(Store {
            inner: Arc::new(inner),
            described: format!("directory {}", dir.display()),
        })
    }

    pub fn s3(bucket: &S3) -> Result<Store> {
        let inner = AmazonS3Builder::new()
            .with_endpoint(&bucket.endpoint)
            .with_bucket_name(&bucket.bucket)
            .with_region(&bucket.region)
            .with_access_key_id(&bucket.access_key)
            .with_secret_access_key(&bucket.secret_key)
            // Path-style addressing is what every S3-compatible server understands.
            .with_virtual_hosted_style_request(false)
            .with_allow_http(bucket.endpoint.starts_with("http://"))
            .build()
            .map_err(|_| Error::Internal("configuring the object store"))?;
        Ok(Store {
            inner: Arc::new(inner),
            described: format!("bucket {} at {}", bucket.bucket, bucket.endpoint),
        })
    }

    /// For the log at start-up: where files go.
    pub fn describe(&self) -> &str {
        &self.described
    }

    pub async fn put(&self, key: &str, body: Vec<u8>) -> Result<()> {
        self.inner
            .put(&Path::from(key), PutPayload::from(body))
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::error!(%e, key, "storing a file");
                Error::Internal("storing a file")
            })
    }

    pub async fn get(&self, key: &str) -> Result<bytes::Bytes> {
        let found = self.inner.get(&Path::from(key)).await;
        let body = match found {
            Ok(found) => found.bytes().await,
            Err(e) => Err(e),
        };
        body.map_err(|e| match e {
            object_store::Error::NotFound { .. } => Error::NotFound,
            e => {
                tracing::error!(%e, key, "reading a file");
                Error::Internal("reading a file")
            }
        })
    }

    /// Removes `key`; a key already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => {
                tracing::error!(%e, key, "removing a file");
                Err(Error::Internal("removing a file"))
            }
        }
    }

    /// Every key with when it was written.
    pub async fn keys(&self) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut listing = self.inner.list(None);
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| {
                tracing::error!(%e, "listing the files");
                Error::Internal("listing the files")
            })?;
            keys.push((meta.location.to_string(), meta.last_modified));
        }
        Ok(keys)
    }
}
