/**
 * Test support: the golden fixture sets, tiny classifiers cut from them, tensor comparisons with their tolerances, and
 * the local Spark session and in-process HDFS of a test class.
 */
package org.tinybert.testing;
