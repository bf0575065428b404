/** Hadoop FileSystem paths, atomic writes, checkpoint stores and run manifests. */
package org.tinybert.io;
