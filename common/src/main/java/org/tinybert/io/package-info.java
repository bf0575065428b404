/** Hadoop FileSystem paths, atomic writes, checkpoint stores, run manifests and the hold a run takes on its output. */
package org.tinybert.io;
