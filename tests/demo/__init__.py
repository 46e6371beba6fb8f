"""Tests of the built-in demo LMS (lti_tool.demo): an LTI 1.3 platform."""
