/** Test support: the golden fixtures, tiny classifiers cut from them, and tensor comparisons with their tolerances. */
package org.tinybert.testing;
