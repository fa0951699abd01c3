'use strict';

exports.handler = async (event) => {
  return { broken: ;
};
